// Drives headless Chromium through the passkey page for the Rust end-to-end
// test (tests/e2e/browser.rs), which starts the server and checks the
// database. Usage: node register.mjs '<scenario JSON>'; prints one JSON line
// with each registration's outcome as the page showed it.
//
// Scenario: { origin, chromium, userDataDir, stepTimeoutMs, registrations:
//   [{ path, username, label, authenticator, replayFirstChallenge, screenshot }] }
// Each registration gets a fresh CDP virtual authenticator with the given
// options over the defaults below.

import { chromium } from "playwright-core";

const scenario = JSON.parse(process.argv[2]);
const STEP_MS = scenario.stepTimeoutMs ?? 15000;

const AUTHENTICATOR = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

// This machine has no network: anything that would reach out is off.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

const context = await chromium.launchPersistentContext(scenario.userDataDir, {
  executablePath: scenario.chromium,
  headless: true,
  args: FLAGS,
  timeout: STEP_MS,
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_MS);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });

  // Remembers the first challenge the API issued, and hands it out again
  // to a registration that replays it; keeps what the page sent to
  // `create_passkey`, for the test to inspect.
  let firstChallenge = null;
  let replaying = false;
  let sent = null;
  await page.route("**/graphql", async (route) => {
    const request = route.request().postDataJSON();
    const query = request?.query ?? "";
    if (query.includes("create_passkey(")) sent = request.variables?.dto?.registration ?? null;
    if (!query.includes("create_passkey_challenge")) return route.continue();
    if (replaying && firstChallenge) {
      return route.fulfill({ status: 200, contentType: "application/json", body: firstChallenge });
    }
    const response = await route.fetch();
    const body = await response.text();
    firstChallenge ??= body;
    return route.fulfill({ response, body });
  });

  const results = [];
  let authenticatorId = null;
  for (const registration of scenario.registrations) {
    if (authenticatorId) await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { ...AUTHENTICATOR, ...(registration.authenticator ?? {}) },
    }));
    replaying = Boolean(registration.replayFirstChallenge);
    sent = null;

    await page.goto(scenario.origin + (registration.path ?? "/"), { timeout: STEP_MS });
    await page.fill("#username", registration.username);
    await page.fill("#label", registration.label);
    await page.click("#create");
    await page.waitForFunction(
      () => ["ok", "error"].includes(document.getElementById("result").dataset.state),
      null,
      { timeout: STEP_MS },
    );
    const shown = await page.evaluate(() => {
      const result = document.getElementById("result");
      return {
        state: result.dataset.state,
        code: result.dataset.code || null,
        credentialId: result.dataset.credentialId || null,
        text: result.innerText,
      };
    });
    results.push({ ...shown, registration: sent });
    if (registration.screenshot) {
      await page.screenshot({ path: registration.screenshot, fullPage: true, timeout: STEP_MS });
    }
  }
  console.log(JSON.stringify({ results }));
} finally {
  await context.close();
}

// The passkey page: asks the API for a challenge, lets the browser create a
// credential, and registers it with `create_passkey`. The registration is
// encoded as the @passwordless-id/webauthn 1.x client's `register()` returns
// it: base64url with its `=` padding kept, the algorithm by name.

const ALGORITHM_NAMES = { [-7]: "ES256", [-257]: "RS256", [-8]: "EdDSA" };
// How long past the challenge's own timeout the page waits for the
// authenticator before giving up: create() can hang when none answers.
const CREATE_GRACE_MS = 5000;

const ISSUE = `mutation Issue($dto: CreatePasskeyChallengeResolverDto!) {
  create_passkey_challenge(dto: $dto) {
    challenge timeout_ms hostname rp_name user_id username
    algorithms { name cose_identifier } user_verification exclude_credentials
  }
}`;

const CREATE = `mutation Create($dto: CreatePasskeyResolverDto!) {
  create_passkey(dto: $dto) { id label user_id hostname user_code challenge credential_id }
}`;

/** An error the API answered, with its `extensions.code`. */
class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function bytesFromBase64url(text) {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// As the 1.x client writes it: standard base64 with the URL alphabet, `=`
// padding kept.
function base64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

async function graphql(query, dto) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables: { dto } }),
    });
  } catch (error) {
    throw new ApiError("The server cannot be reached. Check your connection and try again.", "NETWORK");
  }
  const body = await response.json().catch(() => null);
  const error = body?.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? `HTTP_${response.status}`);
  if (!response.ok || !body?.data) throw new ApiError(`The server answered ${response.status}.`, `HTTP_${response.status}`);
  return body.data;
}

/** `navigator.credentials.create()` with the options the API issued. */
async function createCredential(challenge, attestation) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), challenge.timeout_ms + CREATE_GRACE_MS);
  try {
    return await navigator.credentials.create({
      signal: abort.signal,
      publicKey: {
        challenge: bytesFromBase64url(challenge.challenge),
        rp: { id: challenge.hostname, name: challenge.rp_name },
        user: {
          id: bytesFromBase64url(challenge.user_id),
          name: challenge.username,
          displayName: challenge.username,
        },
        pubKeyCredParams: challenge.algorithms.map((a) => ({ type: "public-key", alg: a.cose_identifier })),
        timeout: challenge.timeout_ms,
        attestation,
        authenticatorSelection: {
          residentKey: "preferred",
          userVerification: challenge.user_verification,
        },
        excludeCredentials: challenge.exclude_credentials.map((id) => ({
          type: "public-key",
          id: bytesFromBase64url(id),
        })),
      },
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The registration as the 1.x client's `register()` returns it. */
function encodeRegistration(username, credential) {
  const response = credential.response;
  const algorithm = ALGORITHM_NAMES[response.getPublicKeyAlgorithm()];
  if (!algorithm) throw new Error(`The authenticator chose an algorithm this page does not know (${response.getPublicKeyAlgorithm()}).`);
  return {
    username,
    credential: {
      id: credential.id,
      publicKey: base64url(response.getPublicKey()),
      algorithm,
    },
    authenticatorData: base64url(response.getAuthenticatorData()),
    clientData: base64url(response.clientDataJSON),
    attestationData: base64url(response.attestationObject),
  };
}

// What a person can do about a browser's refusal.
function browserMessage(error) {
  switch (error?.name) {
    case "NotAllowedError":
      return "The passkey was not created: the request was cancelled, timed out, or not allowed by the browser.";
    case "InvalidStateError":
      return "This authenticator already holds a passkey for this account.";
    case "SecurityError":
      return "This page's address cannot create passkeys for this site (the relying party ID does not match it).";
    case "NotSupportedError":
      return "This browser or authenticator supports none of the server's algorithms.";
    case "AbortError":
      return "No authenticator answered in time.";
    default:
      return error?.message || String(error);
  }
}

function show(state, content) {
  const result = document.getElementById("result");
  result.dataset.state = state;
  result.replaceChildren(...content);
}

function showPasskey(passkey) {
  const heading = document.createElement("strong");
  heading.textContent = "Passkey created.";
  const list = document.createElement("dl");
  for (const [name, value] of [
    ["Username", passkey.user_code],
    ["Passkey name", passkey.label],
    ["Passkey ID", passkey.id],
    ["Credential ID", passkey.credential_id],
    ["User ID", passkey.user_id],
  ]) {
    const term = document.createElement("dt");
    term.textContent = name;
    const detail = document.createElement("dd");
    detail.textContent = value;
    list.append(term, detail);
  }
  const result = document.getElementById("result");
  result.dataset.credentialId = passkey.credential_id;
  result.dataset.code = "";
  show("ok", [heading, list]);
}

function showError(message, code) {
  const text = document.createElement("span");
  text.textContent = message;
  const detail = document.createElement("small");
  detail.textContent = code ? ` (${code})` : "";
  const result = document.getElementById("result");
  result.dataset.code = code ?? "";
  show("error", [text, detail]);
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("create");
  const username = form.username.value.trim();
  const label = form.label.value.trim();
  // `?attestation=none` asks for no attestation; by default the page asks
  // for the authenticator's, as the 1.x client does with `attestation: true`.
  const attestation = new URLSearchParams(location.search).get("attestation") === "none" ? "none" : "direct";
  button.disabled = true;
  show("working", [document.createTextNode("Waiting for your authenticator…")]);
  try {
    const { create_passkey_challenge: challenge } = await graphql(ISSUE, {
      hostname: location.hostname,
      username,
    });
    let credential;
    try {
      credential = await createCredential(challenge, attestation);
    } catch (error) {
      showError(browserMessage(error), error?.name);
      return;
    }
    const { create_passkey: passkey } = await graphql(CREATE, {
      label,
      hostname: challenge.hostname,
      challenge: challenge.challenge,
      registration: encodeRegistration(username, credential),
    });
    showPasskey(passkey);
  } catch (error) {
    showError(error.message, error.code);
  } finally {
    button.disabled = false;
  }
}

document.getElementById("register").addEventListener("submit", register);

"""Writes seed inputs for the verify_registration fuzz target from the
shared fixtures (beside the repository): each fixture's client data and
attestation object, length-prefixed as the target reads them. The corpus
is generated, never committed."""
import base64, glob, json, os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "..", "..", "shared", "fixtures", "webauthn")
out = os.path.join(here, "corpus", "verify_registration")
os.makedirs(out, exist_ok=True)

def b64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

count = 0
for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
    data = json.load(open(path))
    cases = data.get("cases", [data])
    for case in cases:
        if "clientDataJSON_b64url" not in case:
            continue
        client = b64(case["clientDataJSON_b64url"])
        obj = b64(case["attestationObject_b64url"])
        name = os.path.basename(path)[:-5] + "-" + str(case.get("name", "")) 
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack(">H", len(client)) + client + obj)
        count += 1
print(f"{count} seeds in {out}", file=sys.stderr)

// A small client written against the types openapi-typescript generates from Portico's OpenAPI
// document (scripts/openapi.sh writes them to portico.d.ts next to this file, then runs
// `tsc --strict` on both). It compiles only while the document names each operation, types its
// parameters and bodies, and gives each error its body, as an integrator relies on.
import type { components, operations, paths } from "./portico";

type Schemas = components["schemas"];

// The operations an admin client calls, by their operationIds.
const used: (keyof operations)[] = [
  "listApps",
  "createApp",
  "getApp",
  "updateApp",
  "deleteApp",
  "createSecret",
  "addPublicKey",
  "generateKeyPair",
  "uploadLogo",
  "getAuditLog",
  "requestToken",
  "introspectToken",
  "revokeToken",
  "getInteraction",
  "signIn",
  "listConnectedApps",
];

// The audit log's parameters are optional query parameters: no filter at all is a request.
type AuditQuery = NonNullable<operations["getAuditLog"]["parameters"]["query"]>;
const firstPage: AuditQuery = {};
const olderPage: AuditQuery = { before: 42, limit: 50, kind: "security" };

// An app reads as one of three types, told apart by `type`.
function redirectTargets(app: Schemas["App"]): string[] {
  switch (app.type) {
    case "web":
    case "single_page":
      return app.redirect_uris;
    case "machine_to_machine":
      return app.jwt_bearer_users;
  }
}

// Creating an app answers the app, with its first secret for types that have secrets.
type Created = paths["/api/v1/apps"]["post"]["responses"][201]["content"]["application/json"];
const secretOf = (c: Created): string | null | undefined => c.client_secret;

// The admin API's errors are problem details, with the fields that failed.
type Invalid =
  paths["/api/v1/apps"]["post"]["responses"][422]["content"]["application/problem+json"];
const fieldsOf = (p: Invalid): string[] => (p.errors ?? []).map((e) => e.field);

// The token endpoint's errors are OAuth error JSON.
type TokenError =
  paths["/oauth2/token"]["post"]["responses"][400]["content"]["application/json"];
const codeOf = (e: TokenError): string => e.error;

// The logo is uploaded as the image's bytes.
type LogoBody = NonNullable<operations["uploadLogo"]["requestBody"]>["content"]["image/png"];
const logo: LogoBody = "";

export { used, firstPage, olderPage, redirectTargets, secretOf, fieldsOf, codeOf, logo };

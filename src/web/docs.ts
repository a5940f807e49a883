import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { App } from "./http.js";

/**
 * The OpenAPI document, made from the routes' own zod schemas (so it cannot drift from
 * what the server validates), at /docs/json, with Swagger UI at /docs. Served under the
 * same headers as everything else: no inline script is needed and none is allowed.
 */
export function registerDocs(app: App, version: string): void {
  // At the root (both are fastify-plugin wrapped): swagger sees every route registered after it.
  app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "hob",
        version,
        description:
          "The API of `hob serve`. Authenticate with `Authorization: Bearer <token>` (`hob serve token`). " +
          "Errors are `{ error: { code, message, hint } }`. Live events: WebSocket /api/events.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list", tryItOutEnabled: false } });
}

import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { z } from "zod";
import { errorBody } from "../http.js";
import type { RouteContext } from "./context.js";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};

/** A flat file name with a known type: no folders, no dot files, so nothing outside assets/ can be named. */
const AssetParams = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/, "an asset is a flat file name")
    .refine((name) => extname(name) in TYPES, "not a dashboard file type"),
});

/**
 * The dashboard: the page at `/` and its built files at `/assets/<name>`, read from the
 * build output (`npm run build` writes dist/ui). The page is public like any login
 * page; everything it shows comes from the authenticated API.
 */
export function uiRoutes({ app }: RouteContext, uiDir: string): void {
  const notBuilt = errorBody(
    "E_NOT_FOUND",
    "The dashboard is not built.",
    "Run `npm run build` in hob's folder, then reload; the API under /api works without it.",
  );

  app.get("/", { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const html = await readFile(join(uiDir, "index.html")).catch(() => undefined);
    if (!html) return reply.code(404).send(notBuilt);
    return reply.type("text/html; charset=utf-8").send(html);
  });

  app.get(
    "/assets/:name",
    { config: { public: true }, schema: { hide: true, params: AssetParams } },
    async (request, reply) => {
      const { name } = request.params;
      const body = await readFile(join(uiDir, "assets", name)).catch(() => undefined);
      if (!body) return reply.code(404).send(errorBody("E_NOT_FOUND", "There is no such file."));
      return reply.type(TYPES[extname(name)] as string).send(body);
    },
  );
}

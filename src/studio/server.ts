/**
 * The studio's server: the routes of app.ts on node:http through @hono/node-server, listening on
 * 127.0.0.1 only (never on a network), on the port asked for or one the system picks.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { RedactError } from "../errors.ts";
import { projectLayout } from "../project/layout.ts";
import { studioApp } from "./app.ts";
import { loadAssets } from "./assets.ts";
import { newToken } from "./security.ts";

export interface StudioOptions {
  /** The project's folder (redactions/, recordings/, out/). */
  readonly root: string;
  /** 0 (the default): any free port. */
  readonly port?: number;
  readonly acceptDecodeErrors?: boolean;
  /** Where the terminal's messages go (unexpected errors); default stderr. */
  readonly log?: (message: string) => void;
}

export interface Studio {
  /** http://127.0.0.1:PORT/?token=...: the address to open. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const HOST = "127.0.0.1";

export async function startStudio(opts: StudioOptions): Promise<Studio> {
  const token = newToken();
  const assets = loadAssets();
  const layout = projectLayout(opts.root);
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let port = opts.port ?? 0;
  // The app needs the port (the Host header it accepts): known once listening, so it is made on the first request.
  let app: ReturnType<typeof studioApp> | undefined;
  const server = createAdaptorServer({
    fetch: (req, env) => {
      app ??= studioApp({ layout, acceptDecodeErrors: opts.acceptDecodeErrors ?? false, port, token, assets, log });
      return app.fetch(req, env);
    },
    overrideGlobalObjects: false,
    hostname: HOST,
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new RedactError(
              "E_USAGE",
              2,
              `port ${port} is in use: choose another with --port, or leave it out for any free port`,
            )
          : err.code === "EACCES"
            ? new RedactError("E_USAGE", 2, `port ${port} cannot be used by this user: choose one above 1023`)
            : new RedactError("E_IO", 1, `the studio cannot listen on ${HOST}:${port}: ${err.message}`, { cause: err }),
      ),
    );
    server.listen(port, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Which web origins may call the API and open sockets from a browser (the browser build of the JS SDK). By default
// pages served from this machine (http(s)://localhost, 127.0.0.1 or [::1], any port): what local development needs,
// and nothing a page on the internet could use. `corsOrigins` (ServerOptions, `serve --cors-origin`) replaces it:
// exact origins, or '*' for any.
export type CorsOrigins = readonly string[] | '*';

const LOCAL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function originAllowed(origins: CorsOrigins | undefined): (origin: string | undefined) => boolean {
  if (origins === '*') return () => true;
  if (origins === undefined) return (origin) => origin === undefined || LOCAL.test(origin);
  const set = new Set(origins);
  return (origin) => origin === undefined || set.has(origin);
}

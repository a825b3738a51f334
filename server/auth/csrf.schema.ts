/**
 * The double-submit CSRF contract between the browser and the server (zod-free, so client code
 * may import it): the server sets the token in a cookie the page's script can read, and every
 * mutating request echoes it in a header, which route() checks against the session.
 */
export const CSRF_COOKIE = 'll_csrf';
export const CSRF_HEADER = 'x-csrf-token';

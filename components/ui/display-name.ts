/** Display names by user id, from the page (the seeded users and the caller: app/(console)/_lib/display-names.ts). */
export type DisplayNames = Readonly<Record<string, string>>;

/**
 * Who a row names: the person's display name when the page knows it; an id it does not know
 * (e.g. a role ARN or the closed loop's id on AWS) as it is; 'unknown' when nobody is recorded.
 */
export function displayName(names: DisplayNames | undefined, id: string | null | undefined): string {
  if (!id) return 'unknown';
  return names && Object.hasOwn(names, id) ? (names[id] ?? id) : id;
}

// The one way validation stops: a sentence for the call's debug log. Thrown
// inside the parser's modules and turned into `{ ok: false, error }` by
// parsePlivoXml, so nothing outside this folder ever sees it thrown.
export class XmlFailure extends Error {}

export function fail(message: string): never {
  throw new XmlFailure(message);
}

/** An attribute value as it appears in an error message: quoted, bounded. */
export function shown(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(cut);
}

/**
 * Which language a task is written in, by franc-min (trigram profiles, pure JS). Loaded only
 * when asked: the embedded classifier does not need it for tasks whose words it knows, and
 * importing its profiles costs about 25 ms of a command's start.
 */

/** Languages the routing data covers well enough to trust the embedded classifier (ISO 639-3). */
export const TRAINED_LANGUAGES = ["eng", "deu", "spa", "fra", "ita", "por", "nld"] as const;

/** Languages franc may answer with; a short list keeps it from guessing rare ones for short tasks. */
const CANDIDATES = [
  ...TRAINED_LANGUAGES,
  "pol",
  "rus",
  "ukr",
  "ces",
  "swe",
  "dan",
  "nob",
  "fin",
  "tur",
  "ron",
  "hun",
  "ell",
  "arb",
  "heb",
  "hin",
  "ind",
  "vie",
  "tha",
  "cmn",
  "jpn",
  "kor",
];

export interface DetectedLanguage {
  /** ISO 639-3, or "und" when the text is too short or mixed to tell. */
  code: string;
  trained: boolean;
}

export async function detectLanguage(text: string): Promise<DetectedLanguage> {
  const { franc } = await import("franc-min");
  const code = franc(text, { only: CANDIDATES, minLength: 12 });
  return { code, trained: code === "und" || (TRAINED_LANGUAGES as readonly string[]).includes(code) };
}

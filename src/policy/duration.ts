const UNITS: Readonly<Record<string, number>> = {
  d: 86_400,
  day: 86_400,
  days: 86_400,
  h: 3_600,
  hour: 3_600,
  hours: 3_600,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
};

/** Longest accepted duration: 100 years, far beyond any sensible certificate validity. */
const MAX_SECONDS = 100 * 366 * 86_400;

/**
 * Parses a duration (`90 days`, `59d`, `24h`, `30m`) into seconds.
 *
 * @returns the seconds, or null when the text is not a positive duration of at most 100 years.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*([0-9]{1,9})\s*([a-z]+)\s*$/.exec(text);
  if (m === null) return null;
  const unit = UNITS[m[2] as string];
  if (unit === undefined) return null;
  const seconds = Number(m[1]) * unit;
  return seconds > 0 && seconds <= MAX_SECONDS ? seconds : null;
}

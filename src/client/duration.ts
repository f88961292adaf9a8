/**
 * Durations as an instructor types them for /mute (issue #12.5): `90` or `90s` seconds, `10m`, `2h`,
 * `1d`, or a sum such as `1h30m`; and back into words for the reply.
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in `text` (`90`, `10m`, `1h30m`, any case); null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const lower = text.toLowerCase();
  if (/^\d{1,9}$/.test(lower)) return Number(lower);
  if (!/^(?:\d{1,9}[smhd])+$/.test(lower)) return null;
  let seconds = 0;
  for (const [, count, unit] of lower.matchAll(/(\d+)([smhd])/g)) seconds += Number(count) * UNIT_SECONDS[unit!]!;
  return seconds;
}

/** `10 minutes`, `2 hours`, `1 day`, `90 seconds`: the largest unit that divides `seconds` exactly. */
export function formatDuration(seconds: number): string {
  const [unit, size] =
    seconds % 86_400 === 0
      ? ['day', 86_400]
      : seconds % 3600 === 0
        ? ['hour', 3600]
        : seconds % 60 === 0
          ? ['minute', 60]
          : ['second', 1];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

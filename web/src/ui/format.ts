// How times, days and sizes read in the app (issue #14): the viewer's local time and language.

/** A message's local time in the viewer's style: 9:05 AM, or 09:05 where the clock has 24 hours. */
export function timeOf(ts: string): string {
  // hour 'numeric', not '2-digit': a 12-hour clock reads "1:26 PM", not "01:26 PM" (24-hour locales pad anyway).
  return new Date(ts).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

/** A local day (YYYY-MM-DD, from grouping.ts) as a header: Today, Yesterday, or the date. */
export function dayLabel(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const today = new Date();
  const midnight = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  const diff = Math.round((midnight - date.getTime()) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return date.toLocaleDateString([], {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(date.getFullYear() !== today.getFullYear() ? { year: 'numeric' } : {}),
  });
}

/** Bytes as a size people read: 2.4 MB. */
export function sizeOf(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

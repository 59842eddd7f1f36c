// Orthanc's timestamps: ISO 8601 basic format, "20240131T235959".

function format(d: Date, utc: boolean): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const [y, mo, day, h, mi, s] = utc
    ? [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ]
    : [
      d.getFullYear(),
      d.getMonth() + 1,
      d.getDate(),
      d.getHours(),
      d.getMinutes(),
      d.getSeconds(),
    ];
  return `${y}${p(mo)}${p(day)}T${p(h)}${p(mi)}${p(s)}`;
}

/** The current second's text, kept: a store asks for it several times a millisecond. */
let current = { second: Number.NaN, text: "" };

export function isoNow(date?: Date): string {
  if (date) return format(date, true);
  const second = Math.floor(Date.now() / 1000);
  if (second !== current.second) current = { second, text: format(new Date(second * 1000), true) };
  return current.text;
}
export const isoNowLocal = (date = new Date()): string => format(date, false);

// The names Orthanc 1.10.1 gives inside its ZIP archives (observed on the real server): one
// folder per patient, study and series made of a few main tags reduced to plain ASCII, a
// suffix "-2", "-3"… when two siblings would share a folder, and files numbered per series.

/**
 * A main tag value reduced as Orthanc does: letters, digits, "_" and "." are kept, "^" and
 * spaces separate words (collapsed to one space, trimmed), everything else is dropped.
 */
export function sanitize(value: string): string {
  let out = "";
  for (const c of value) {
    if (/^[A-Za-z0-9_.]$/.test(c)) out += c;
    else if (c === " " || c === "^") out += " ";
  }
  return out.replace(/ +/g, " ").trim();
}

/** "A B" from two main tags, or `fallback` when both reduce to nothing. */
export function folderName(first: string, second: string, fallback: string): string {
  const name = [sanitize(first), sanitize(second)].filter((s) => s !== "").join(" ");
  return name === "" ? fallback : name;
}

/** The siblings of one folder: a name already taken gets the first free "-N" suffix. */
export class UniqueNames {
  private readonly taken = new Set<string>();

  claim(name: string): string {
    let unique = name;
    for (let n = 2; this.taken.has(unique); n++) unique = `${name}-${n}`;
    this.taken.add(unique);
    return unique;
  }
}

/** "MR000012.dcm": two letters of the modality and six digits, or eight digits without one. */
export function instanceFileName(modality: string, index: number): string {
  const prefix = sanitize(modality).replace(/ /g, "").slice(0, 2);
  return prefix === ""
    ? `${String(index).padStart(8, "0")}.dcm`
    : `${prefix}${String(index).padStart(6, "0")}.dcm`;
}

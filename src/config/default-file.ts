// The commented configuration file written by `pharos --config=FILE`.
import { OPTIONS } from "./options.ts";

export function defaultConfigurationText(): string {
  const lines = ["{"];
  const entries = Object.entries(OPTIONS);
  entries.forEach(([name, spec], i) => {
    lines.push(`  // ${spec.comment}`);
    const comma = i < entries.length - 1 ? "," : "";
    if (spec.default === undefined) {
      // An option whose absence means something of its own is written commented out.
      lines.push(`  // "${name}" : …${comma}`);
    } else {
      const value = JSON.stringify(spec.default, null, 2)!.replace(/\n/g, "\n  ");
      lines.push(`  "${name}" : ${value}${comma}`);
    }
    if (i < entries.length - 1) lines.push("");
  });
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

// The UIDs a modification job gives its new resources, derived from the old ones and a secret of
// the job (a keyed SHA-256) rather than drawn at random: the same job doing the same instance
// again after a crash writes the same file, which the store answers AlreadyStored, so a job
// resumed from its last save never leaves a second copy. Indistinguishable from the random
// "2.25." UIDs of src/dicom/uid.ts and the random PatientIDs of anonymization.
import type { UidMap } from "../editing/modification.ts";

/** The keys of the editing engine's UID map that name a patient rather than a UID. */
const PATIENT_KEY = "patient:";

export class DerivedUids extends Map<string, string> implements UidMap {
  constructor(private readonly secret: string) {
    super();
  }

  override get(key: string): string | undefined {
    const known = super.get(key);
    if (known !== undefined) return known;
    const derived = this.derive(key);
    // Kept: the study's and series' UIDs are asked again for each of their instances.
    super.set(key, derived);
    return derived;
  }

  private derive(key: string): string {
    const hash = new Bun.CryptoHasher("sha256", this.secret).update(key).digest("hex");
    // A version-4-like UUID, as crypto.randomUUID() draws them.
    const uuid = `${hash.slice(0, 12)}4${hash.slice(13, 16)}${
      ((parseInt(hash[16]!, 16) & 3) | 8).toString(16)
    }${hash.slice(17, 32)}`;
    if (key.startsWith(PATIENT_KEY)) {
      return `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${
        uuid.slice(16, 20)
      }-${uuid.slice(20)}`;
    }
    return `2.25.${BigInt(`0x${uuid}`).toString(10)}`;
  }
}

/** A new secret for a job. */
export const newUidSecret = (): string => crypto.randomUUID();

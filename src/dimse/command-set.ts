// DIMSE command sets (PS3.7 E.1, group 0000, always implicit VR little endian) for the C-STORE
// path of the DICOM port: reading a request's command, writing the C-STORE-RSP. The other
// commands stay with the DIMSE library (adapter/).

/** The command fields of PS3.7 E.1 this path needs. */
export const CommandField = { CStoreRequest: 0x0001, CStoreResponse: 0x8001 } as const;

/** CommandDataSetType: no dataset follows. */
export const NO_DATASET = 0x0101;

export interface Command {
  commandField: number;
  messageId: number;
  hasDataset: boolean;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  moveOriginatorAet?: string;
}

const AFFECTED_SOP_CLASS_UID = 0x0002;
const COMMAND_FIELD = 0x0100;
const MESSAGE_ID = 0x0110;
const MESSAGE_ID_BEING_RESPONDED_TO = 0x0120;
const COMMAND_DATA_SET_TYPE = 0x0800;
const STATUS = 0x0900;
const AFFECTED_SOP_INSTANCE_UID = 0x1000;
const MOVE_ORIGINATOR_AET = 0x1030;

/** The command read from its bytes, or undefined when they are not a command set. */
export function readCommand(bytes: Uint8Array): Command | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Map<number, Uint8Array>();
  for (let at = 0; at + 8 <= bytes.length;) {
    const group = view.getUint16(at, true);
    const element = view.getUint16(at + 2, true);
    const length = view.getUint32(at + 4, true);
    at += 8;
    if (group !== 0 || at + length > bytes.length) return undefined;
    values.set(element, bytes.subarray(at, at + length));
    at += length;
  }
  const us = (element: number) => {
    const v = values.get(element);
    return v && v.length >= 2 ? v[0]! | (v[1]! << 8) : undefined;
  };
  const commandField = us(COMMAND_FIELD);
  if (commandField === undefined) return undefined;
  const originator = values.get(MOVE_ORIGINATOR_AET);
  return {
    commandField,
    messageId: us(MESSAGE_ID) ?? 0,
    hasDataset: us(COMMAND_DATA_SET_TYPE) !== NO_DATASET,
    affectedSopClassUid: text(values.get(AFFECTED_SOP_CLASS_UID)),
    affectedSopInstanceUid: text(values.get(AFFECTED_SOP_INSTANCE_UID)),
    moveOriginatorAet: originator ? text(originator) : undefined,
  };
}

/** A UI or AE value without its padding (NUL for UI, spaces for AE). */
function text(value: Uint8Array | undefined): string {
  if (!value) return "";
  let s = "";
  for (const byte of value) s += String.fromCharCode(byte);
  return s.replace(/[\0 ]+$/, "").replace(/^ +/, "");
}

/** The C-STORE-RSP command set answering `request` with `status`. */
export function storeResponse(request: Command, status: number): Uint8Array {
  const elements: [number, Uint8Array][] = [
    [AFFECTED_SOP_CLASS_UID, uid(request.affectedSopClassUid)],
    [COMMAND_FIELD, us(CommandField.CStoreResponse)],
    [MESSAGE_ID_BEING_RESPONDED_TO, us(request.messageId)],
    [COMMAND_DATA_SET_TYPE, us(NO_DATASET)],
    [STATUS, us(status)],
    [AFFECTED_SOP_INSTANCE_UID, uid(request.affectedSopInstanceUid)],
  ];
  const length = elements.reduce((n, [, v]) => n + 8 + v.length, 0);
  const out = new Uint8Array(12 + length);
  const view = new DataView(out.buffer);
  // (0000,0000) CommandGroupLength, UL.
  view.setUint32(4, 4, true);
  view.setUint32(8, length, true);
  let at = 12;
  for (const [element, value] of elements) {
    view.setUint16(at + 2, element, true);
    view.setUint32(at + 4, value.length, true);
    out.set(value, at + 8);
    at += 8 + value.length;
  }
  return out;
}

function us(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >> 8) & 0xff]);
}

/** A UID padded with NUL to an even length. */
function uid(value: string): Uint8Array {
  const out = new Uint8Array(value.length + (value.length & 1));
  for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i) & 0x7f;
  return out;
}

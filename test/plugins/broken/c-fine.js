// A plain JavaScript plugin in the old style: default-exported initialize, named finalize.
export const name = "fine";
export const version = "0.1.0";
export default function initialize(host) {
  host.rest.register("/fine", () => host.answers.text("fine"));
}
export function finalize() {}

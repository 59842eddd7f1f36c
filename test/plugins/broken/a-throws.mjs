// A plugin whose initialize() throws: logged by name, the server starts without it.
export default function initialize() {
  throw new Error("broken on purpose");
}

// Not a plugin: no default export.
export const name = "nothing";

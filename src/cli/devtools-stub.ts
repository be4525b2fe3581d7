// Stands in for react-devtools-core in the bundle (see src/build.mjs).
export default { initialize: () => undefined, connectToDevTools: () => undefined };

// Preloaded (node --require) into goxel-mcp by node18.test.js: removes the
// globals Node 20 has and Node 18 lacks, so the tests on Node 20 catch code
// (ours or a dependency's) that needs them.
for (const name of ['crypto', 'File', 'CustomEvent', 'navigator']) delete globalThis[name];

// The guide for agents: served as the goxel://guide resource, the
// goxel_guide prompt, and (shortened) as the server's instructions.
export const INSTRUCTIONS =
  'Build voxel models: edit (atomic list of operations), look with render, check with analyze, ' +
  'undo/checkpoints with history. Coordinates are integer [x,y,z] cells, +z is up; colours ' +
  '"#rrggbb" or [r,g,b]. Read goxel://guide for the details.';

export const GUIDE = `# Building with goxel-mcp

## Space
- A voxel is the unit cube at integer [x, y, z]; +z is up, +y is north (top of the top view),
  +x is east. Coordinates are unbounded int32; a model of about 8..128 cells a side renders well.
- Boxes are inclusive: min [0,0,0] max [3,3,3] is 4x4x4 = 64 voxels.
- Colours: "#rrggbb", "#rrggbbaa" or [r, g, b(, a)].

## Project and layers
- Each session has a current project: created on your first edit, or by create_project /
  open_project, switched with projects {action: "select"}.
- Layers separate parts (walls, roof): layers {action: "create", name: "roof"}, then give
  "layer": "roof" in edit operations. Hidden layers are not rendered.

## Editing
- edit applies a list of operations as ONE undo step, all or nothing. Example:
  {"operations": [
    {"op": "box", "min": [0,0,0], "max": [9,9,0], "color": "#777777"},
    {"op": "box", "min": [0,0,1], "max": [9,9,5], "color": "#c08040", "hollow": true},
    {"op": "remove", "positions": [[4,0,1], [4,0,2]]},
    {"op": "cone", "base": [5,5,6], "radius": 6, "height": 5, "color": "#aa2222"}]}
- Pass expected_version (from describe_scene or the last result) so a stale view fails instead
  of overwriting someone else's change; use dry_run to see counts and the bounding box first.
- read_grid / write_grid: a box as text, one slice per z, rows from north (max y) to south,
  one character per x, '.' empty, with a legend of colours. Good for detail work.

## Checking your work
- render returns an image you can look at: views ["front", "right", "top", "isometric"] by
  default; ask for one view at a larger size to see detail.
- analyze reports the bounding box, colours, and floating parts (pieces not connected to the
  largest one, with a position for each): fix them or make sure they are intended.
- history: undo, redo, and named checkpoints (checkpoint before a risky change, restore to go
  back; a restore can itself be undone).

## Errors
- A failed call says what to fix. "version N is stale": call describe_scene, then retry with
  the current version. Unknown arguments are refused: read the tool's schema.
`;

// The layers of src/, lowest first. A folder may import only from folders listed before it
// (README "Code layout"); `npm run lint` fails on an upward import or on any import cycle.
const LAYERS = ['text', 'i18n', 'sandbox', 'kernel', 'checks', 'packets', 'course', 'engine', 'ui', 'server', 'cli', 'bench'];

const above = (i) => LAYERS.slice(i + 1);
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `src/${layer} sits below ${above(i).join(', ')}: it must not import them`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${above(i).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-ui-packages-below-ui',
      comment: 'the engine and everything under it is React-free',
      severity: 'error',
      from: { path: `^src/(${LAYERS.slice(0, LAYERS.indexOf('ui')).join('|')})/` },
      to: { path: 'node_modules/(ink|react|ink-testing-library)/' },
    },
    {
      name: 'no-build-from-runtime',
      comment: 'the build script is not part of the program',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/build/' },
      to: { path: '^src/build/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'known-folders-only',
      comment: 'a new folder under src/ gets a place in LAYERS first',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${[...LAYERS, 'build'].join('|')})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};

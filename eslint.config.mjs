import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The core's layers, lowest first: a folder may import the ones before it, never the ones after
 * (the flow API → queue → worker → sandbox → checks reads downward). The folders above the core
 * (api, web, courses, …) are free to import it. The worker is the core's top: it records results
 * through the features' stores and events (lms outbox, regrade progress), never through pages.
 */
const CORE_LAYERS = ['docker', 'sandbox', 'submission-format', 'exercises', 'grading', 'queue', 'worker'];
const ABOVE_CORE = ['submissions', 'web', 'courses', 'regrades', 'lms', 'lti', 'operations', 'supervisor'];
/** The Docker engine is reached through one adapter (src/docker) and the sandbox driver built on it. */
const DOCKERODE = {
  name: 'dockerode',
  message: 'dockerode only in src/docker and src/sandbox: use DockerService / the sandbox engine interface',
};

const layerRules = CORE_LAYERS.map((layer, i) => {
  const above = layer === 'worker' ? ['web', 'supervisor'] : [...CORE_LAYERS.slice(i + 1), ...ABOVE_CORE];
  const engineSide = layer === 'docker' || layer === 'sandbox';
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: engineSide ? [] : [DOCKERODE],
          patterns: [
            {
              group: above.map((f) => `../${f}/*`),
              message: `src/${layer} sits below ${above.join(', ')}: it must not import them`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/generated/', 'bench/results/', 'images/.built/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests are forbidden from being focused or skipped by accident.
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
        { object: 'test', property: 'only' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: CORE_LAYERS.map((l) => `src/${l}/**`),
    rules: { 'no-restricted-imports': ['error', { paths: [DOCKERODE] }] },
  },
  ...layerRules,
  {
    // CommonJS launchers and configs (run by node directly, not compiled).
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pages' client script: a plain ES module run by the browser (public/app.js).
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        EventSource: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);

// Bundles only (see src/build/bundle.ts): stands in for `highlight.js`, which cli-highlight
// (under marked-terminal) requires whole: 191 languages, about 170 ms to load at start. Lesson
// code blocks are shell commands, so core plus bash highlights them exactly the same.
const hljs = require('highlight.js/lib/core');
hljs.registerLanguage('bash', require('highlight.js/lib/languages/bash'));
module.exports = hljs;

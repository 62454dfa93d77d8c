#!/usr/bin/env node
// validate-json.js SCHEMA DATA...: validates JSON files against a JSON schema
// (draft-07) with Ajv and prints every error.  Exit 0 only if all are valid.
"use strict";
const fs = require("fs");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const [schemaPath, ...dataPaths] = process.argv.slice(2);
if (!schemaPath || dataPaths.length === 0) {
  console.error("usage: validate-json.js SCHEMA DATA...");
  process.exit(2);
}
// The SARIF 2.1.0 schema has patterns that are valid ECMAScript regular
// expressions but not valid in Unicode mode, hence unicodeRegExp: false.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let bad = 0;
for (const p of dataPaths) {
  const ok = validate(JSON.parse(fs.readFileSync(p, "utf8")));
  if (ok) {
    console.log(`${p}: valid`);
  } else {
    bad++;
    console.log(`${p}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.instancePath || "/"} ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);

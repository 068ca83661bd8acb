// `npm start`: creates .dev.vars from .dev.vars.example, or adds the keys a newer example
// has and an older copy lacks (CONFIRM_EVENTS_IN_D1, for one, which the local in-memory
// Queue needs; WEBHOOK_SECRET_KEYS, without which no webhook can be created; LOCAL_REGION, the
// region every local request comes from), without touching values already set.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const example = readFileSync(".dev.vars.example", "utf8");
if (!existsSync(".dev.vars")) {
  writeFileSync(".dev.vars", example);
} else {
  const current = readFileSync(".dev.vars", "utf8");
  const has = new Set(current.split("\n").map((line) => line.split("=")[0]?.trim()));
  const missing = example.split("\n").filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line) && !has.has(line.split("=")[0]));
  if (missing.length > 0) {
    writeFileSync(".dev.vars", `${current.replace(/\n?$/, "\n")}${missing.join("\n")}\n`);
    console.log(`.dev.vars: added ${missing.map((line) => line.split("=")[0]).join(", ")} from .dev.vars.example`);
  }
}

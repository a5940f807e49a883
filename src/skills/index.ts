export { type Finding, hiddenCharacterFindings, pathFindings, type Severity } from "./findings.js";
export {
  kindOf,
  type Manifest,
  parseManifest,
  readSkillFolder,
  SKILL_LANGUAGES,
  SKILL_NAME,
  SKILL_NAME_RULE,
  type SkillFolder,
  type SkillLanguage,
  type SkillScript,
  STANDARD_KEYS,
  scriptLanguage,
  skillTemplate,
  splitFrontMatter,
} from "./format.js";
export {
  type InvalidSkill,
  invalidReport,
  type NewSkillSpec,
  SkillRegistry,
  type SkillRegistryDeps,
} from "./registry.js";
export { inputProblem, runSkill, type SkillRunOutcome, type SkillRunRequest } from "./runner.js";
export { type TestResult, type ValidationReport, validateSkill } from "./validate.js";

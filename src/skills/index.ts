export { type Finding, hiddenCharacterFindings, pathFindings, type Severity } from "./findings.js";
export {
  kindOf,
  type Manifest,
  readSkillFolder,
  SKILL_LANGUAGES,
  type SkillFolder,
  type SkillLanguage,
  skillTemplate,
} from "./format.js";
export { type NewSkillSpec, SkillRegistry, type SkillRegistryDeps } from "./registry.js";
export { inputProblem, runSkill, type SkillRunOutcome, type SkillRunRequest } from "./runner.js";
export { type TestResult, type ValidationReport, validateSkill } from "./validate.js";

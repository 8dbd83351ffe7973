import { translator, type Catalog } from './translate.js';

// Every string the tutor's own interface prints (REPL, play, cli), in both languages.
const en = {
  reading: 'reading step',
  step_needs_feature:
    'this step needs the {feature} kernel module, which the {backend} sandbox cannot load. Outside the tutor run `sudo modprobe {feature}`, or restart with `--backend uml`.',
  play_no_reason: 'the checks did not pass',
  play_wrong_answer: 'answer "{answer}" is not right',
  play_incomplete: 'the commands ran out before the course was complete',
  play_course_complete: 'course complete',
  play_course_incomplete: 'course not complete',
  cmd_timed_out: 'the command was stopped: it was still running after the time limit (did you forget `-c` on ping?)',
  cmd_interrupted: 'interrupted',
  lessons_header: 'Lessons (ids for --from/--to):',
  backend_chosen: 'backend: {backend} ({reason})',
  not_a_tty:
    'The interactive tutor needs a terminal (stdin and stdout must be a TTY). For scripts and CI use `ipip-tutor play --auto` or `ipip-tutor play --commands FILE`.',
} as const;

export type UiMessageKey = keyof typeof en;

const zh: Partial<Record<UiMessageKey, string>> = {
  reading: '阅读步骤',
  step_needs_feature:
    '这一步需要内核模块 {feature},而 {backend} 沙箱无法加载它。请在教程之外运行 `sudo modprobe {feature}`,或用 `--backend uml` 重新启动。',
  play_no_reason: '检查未通过',
  play_wrong_answer: '答案 “{answer}” 不对',
  play_incomplete: '命令已用完,但课程尚未完成',
  play_course_complete: '课程完成',
  play_course_incomplete: '课程未完成',
  cmd_timed_out: '命令超时被停止了(是不是 ping 忘了加 `-c`?)',
  cmd_interrupted: '已中断',
  lessons_header: '课程列表(--from/--to 使用这些 id):',
  backend_chosen: '后端:{backend}({reason})',
  not_a_tty: '交互式教程需要终端(stdin 和 stdout 必须是 TTY)。脚本和 CI 请使用 `ipip-tutor play --auto` 或 `ipip-tutor play --commands FILE`。',
};

export const uiCatalog: Catalog<UiMessageKey> = { en, zh };
export const tu = translator(uiCatalog);

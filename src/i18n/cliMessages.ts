import { translator, type Catalog } from './translate.js';

// Everything the command line prints itself, in both languages: help, usage errors, the error
// labels, and the output of lessons, progress, reset and lint. (doctor, play and the REPL have
// their own catalogs.) Command names, flags and values stay in English in both.
const en = {
  help_main: `ipip-tutor — learn Linux IPIP tunnels by doing, in a sandbox with a real kernel

Usage:
  ipip-tutor [options]                 start the interactive tutor (resumes where you left off)
  ipip-tutor play --auto [options]     run every step's solution and its checks, one line per step
  ipip-tutor play --commands FILE      replay typed commands (one per line, - for stdin) as if typed
  ipip-tutor lessons [--json]          list lessons and steps with their ids
  ipip-tutor lint [DIR] [--run]        validate a course; --run also plays solutions and mistakes
  ipip-tutor doctor [--fix]            check this machine's requirements (--fix installs, as root)
  ipip-tutor progress [--json]         print your progress (for collecting in class)
  ipip-tutor classroom [options]       the instructor's live dashboard for a workshop
  ipip-tutor --join URL [--name NAME]  learn as part of a class (the URL the instructor shows)
  ipip-tutor reset [--lesson ID]       forget progress (all, or one lesson)
  ipip-tutor help COMMAND              more about one command (also: COMMAND --help)

Options for every command:
  -b, --backend auto|host|uml   where commands run (default auto: host if it can make an ipip
                                tunnel, else a User-Mode Linux kernel)
      --lang en|zh              language for this run (default: the one chosen in the tutor,
                                else LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
      --lessons DIR             a custom course from DIR instead of the built-in one
      --no-color                no colours (NO_COLOR is honoured too)
  -h, --help                    this help
  -V, --version                 version

Exit status: 0 success; 1 a step or check failed; 2 lesson file error; 3 sandbox error;
64 usage error; 130 interrupted (Ctrl-C).
The sandbox never changes the machine's own network; it vanishes when the tutor exits.
`,
  help_start: `Usage: ipip-tutor [start] [options]

The interactive tutor: one step at a time, your commands run in a sandbox, the checks read the
kernel's real state. It resumes where you left off. It needs a terminal; for scripts use play.

Options:
  -b, --backend auto|host|uml   where commands run (default auto)
      --unlock-all              open every step (workshops, review)
      --join URL                report to the instructor's classroom (the URL it shows)
      --name NAME               your name there (asked when not given)
      --private                 share progress only, not your screen or network map
      --lang en|zh              language for this run (Ctrl-L in the tutor changes it for good)
      --lessons DIR             a custom course from DIR

Example:
  ipip-tutor --backend uml
`,
  help_play: `Usage: ipip-tutor play --auto [options]
       ipip-tutor play --commands FILE [options]

Runs the course without a terminal, one line per step, and exits 0 only if every step passed.
  --auto            runs each step's solution, then its checks (a course author's smoke test)
  --commands FILE   types the commands of FILE (one per line, # comments; - reads stdin) as a
                    learner would, moving on when a step passes

Options:
  -b, --backend auto|host|uml   where commands run (default auto)
      --from ID, --to ID        first and last lesson (or lesson/step) to run
      --pace human              --auto: type commands at a readable pace (projecting in class)
      --echo                    --commands: print each command before running it
      --join URL --name NAME    report to a classroom (--private: progress only)
      --lang en|zh, --lessons DIR

Example:
  ipip-tutor play --auto --backend host --to underlay-ping
`,
  help_classroom: `Usage: ipip-tutor classroom [--host ADDR] [--port N] [--state DIR] [--title TEXT] [--lab [--lab-max N] [--lab-idle MIN]]

Starts the classroom server on this machine for a workshop on the local network. It prints
  dashboard: URL   the instructor's live dashboard (holds the instructor key)
  join: URL        what learners pass to \`ipip-tutor --join URL\` (holds the class code)
and shows the join URL as a QR code. Every learner's tutor reports its progress, its checks
and (unless --private) its screen and network map; the dashboard sets the pace gate, sends
broadcasts, keeps the raised hands and exports the results (CSV, JSON).
  --host ADDR    the interface to listen on (default: this machine's LAN address)
  --port N       the port (default 8370; 0 picks a free one)
  --state DIR    where the class is kept (SQLite); the same DIR after a restart resumes the class
  --title TEXT   the workshop's name on the dashboard and the join page
  --lab          the browser lab: the join page also offers "learn in this browser"; each
                 attendee gets a tutor and a sandbox on this machine (--backend chooses it)
  --lab-max N    at most N sandboxes at once (default: what this machine's memory and cores hold)
  --lab-idle MIN free an idle attendee's sandbox after MIN minutes (default 30; warned 2 min before)

Needs better-sqlite3 12 installed next to ipip-tutor (the learners' tutors do not).
`,
  help_lessons: `Usage: ipip-tutor lessons [--json]

Lists the lessons and their steps with the ids that --from, --to and reset --lesson take.
  --json   as JSON (id, title, steps with their kind and requirements)
`,
  help_lint: `Usage: ipip-tutor lint [DIR] [--run] [--json]

Checks a course directory (default: the built-in course): schema, texts in every language,
hints and mistakes that name real checks.
  --run               also plays every solution and every mistake in a sandbox
  -b, --backend ...   the sandbox for --run
  --json              the problems as JSON
`,
  help_doctor: `Usage: ipip-tutor doctor [--fix] [--json]

Checks what this machine needs for the course (tools, user namespaces, ipip, User-Mode Linux)
and says what each result means and how to fix it.
  --fix    installs what is missing and loads ipip (run as root, e.g. with sudo)
  --json   the report as JSON
`,
  help_progress: `Usage: ipip-tutor progress [--json]

Prints your progress: steps done and skipped per lesson, hints used, where you are.
  --json   as JSON, with user and host names (for an instructor collecting results)
`,
  help_reset: `Usage: ipip-tutor reset [--lesson ID]

Forgets your progress: all of it, or one lesson's (ids: ipip-tutor lessons).
`,
  help_help: `Usage: ipip-tutor help [COMMAND]

Help for one command: start, play, lessons, lint, doctor, progress, reset.
`,
  err_usage: 'ipip-tutor: {message}',
  err_see_help: 'Run `ipip-tutor --help` for usage.',
  err_see_command_help: 'Run `ipip-tutor help {command}` for its options.',
  err_did_you_mean: '{message} (did you mean {suggestion}?)',
  err_unknown_command: 'unknown command "{name}"',
  err_unknown_option: 'unknown option {option}',
  err_option_needs_value: 'option {option} needs a value',
  err_option_takes_no_value: 'option {option} takes no value',
  err_option_not_for: 'option {option} does not apply to "{command}"',
  err_bad_value: '{option} must be {allowed}, not "{value}"',
  err_play_mode: 'play needs exactly one of --auto or --commands FILE',
  err_bad_port: '--port must be a number from 0 to 65535, not "{value}"',
  err_bad_count: '{flag} must be a whole number from 1 to {max}, not "{value}"',
  err_lab_flags_need_lab: '--lab-max and --lab-idle go with --lab',
  err_bad_join: '--join needs the join URL the instructor shows (http://HOST:PORT/join/CODE), not "{value}"',
  err_private_needs_join: '--private only means something with --join URL',
  err_bad_name: '--name must be 1 to 40 characters',
  classroom_banner: 'Classroom "{title}" is open. Learners join with:',
  classroom_dashboard_note:
    'Open the dashboard URL in your browser (it holds the instructor key: do not project it). Ctrl-C closes the class; its state stays in {dir}.',
  classroom_needs_sqlite:
    'The classroom keeps its state in SQLite and needs better-sqlite3 12 next to ipip-tutor: run `npm install -g ipip-tutor better-sqlite3@12`, or `npx -p ipip-tutor -p better-sqlite3@12 ipip-tutor classroom`. ({message})',
  classroom_closed: 'classroom closed; its state stays in {dir} (start it again to go on)',
  classroom_name_missing: 'joining a class needs a name: add --name NAME',
  err_unexpected_argument: 'unexpected argument "{value}"',
  err_no_lesson: 'no lesson "{lesson}" (lessons: {ids})',
  err_no_step: 'no lesson or step "{ref}" (lessons: {ids})',
  err_to_before_from: '--to {to} comes before --from {from}',
  err_commands_file: 'cannot read commands file "{file}": {message}',
  err_lesson_file: 'Lesson error: {message}',
  err_sandbox: 'Sandbox error: {message}',
  err_sandbox_fix: 'What to do: {fix}',
  err_sandbox_log: 'Last lines:',
  err_internal: 'ipip-tutor: internal error: {message}',
  err_internal_hint: 'This is a bug; set IPIP_TUTOR_DEBUG=1 for details.',
  lessons_quiz: ' (quiz)',
  lessons_reading: ' (reading)',
  reset_lesson: 'progress of lesson {lesson} reset',
  reset_all: 'all progress reset',
  progress_summary: '{who}: {finished}/{total} steps ({percent}%)',
  progress_current: 'current: {step}',
  progress_skipped: ' ({n} skipped)',
  progress_hints: ', {n} hints',
  lint_playing: 'playing solutions and mistakes on the {backend} backend…',
  lint_fine: 'lint: {dir} is fine',
  lint_fine_warnings: 'lint: {dir} is fine ({n} warnings)',
  lint_problems: 'lint: {dir} has problems',
} as const;

export type CliMessageKey = keyof typeof en;

const zh: Partial<Record<CliMessageKey, string>> = {
  help_main: `ipip-tutor —— 在带真实内核的沙箱里动手学习 Linux IPIP 隧道

用法：
  ipip-tutor [选项]                    启动交互式教程（从上次停下的地方继续）
  ipip-tutor play --auto [选项]        逐步运行参考答案并检查，每步输出一行
  ipip-tutor play --commands 文件      像学员输入一样重放文件中的命令（每行一条，- 表示标准输入）
  ipip-tutor lessons [--json]          列出各课和步骤及其 id
  ipip-tutor lint [目录] [--run]       校验课程；--run 还会运行参考答案和常见错误
  ipip-tutor doctor [--fix]            检查本机是否满足要求（--fix 以 root 身份安装所缺的软件）
  ipip-tutor progress [--json]         输出学习进度（便于课堂上汇总）
  ipip-tutor classroom [选项]          讲师的工作坊实时控制台
  ipip-tutor --join URL [--name 名字]  加入课堂学习（URL 由讲师给出）
  ipip-tutor reset [--lesson ID]       清除进度（全部，或某一课）
  ipip-tutor help 命令                 查看某个命令的详细说明（也可用：命令 --help）

所有命令通用的选项：
  -b, --backend auto|host|uml   命令在哪里运行（默认 auto：宿主机内核能创建 ipip 隧道时用 host，
                                否则用 User-Mode Linux 内核）
      --lang en|zh              本次运行的语言（默认：在教程里选过的语言，否则依次看 LANGUAGE、
                                LC_ALL、LC_MESSAGES、LANG）
      --lessons 目录            使用该目录中的自定义课程，而不是内置课程
      --no-color                不使用颜色（也支持 NO_COLOR）
  -h, --help                    显示本帮助
  -V, --version                 显示版本

退出码：0 成功；1 某一步或检查失败；2 课程文件有误；3 沙箱出错；64 用法错误；130 被中断（Ctrl-C）。
沙箱不会改动本机的网络；教程退出时沙箱随之销毁。
`,
  help_start: `用法：ipip-tutor [start] [选项]

交互式教程：一次一步，你的命令在沙箱中运行，检查读取的是内核的真实状态，并从上次停下的地方继续。
需要终端；在脚本中请使用 play。

选项：
  -b, --backend auto|host|uml   命令在哪里运行（默认 auto）
      --unlock-all              解锁所有步骤（工作坊、复习）
      --join URL                向讲师的课堂报告进度（URL 由讲师给出）
      --name 名字               你在课堂上显示的名字（不给出时会询问）
      --private                 只共享进度，不共享屏幕和网络拓扑图
      --lang en|zh              本次运行的语言（在教程里按 Ctrl-L 可长期切换）
      --lessons 目录            使用该目录中的自定义课程

示例：
  ipip-tutor --backend uml
`,
  help_play: `用法：ipip-tutor play --auto [选项]
      ipip-tutor play --commands 文件 [选项]

不用终端运行课程，每步输出一行；所有步骤都通过时退出码才是 0。
  --auto            运行每一步的参考答案，再做检查（课程作者的冒烟测试）
  --commands 文件   像学员一样输入文件中的命令（每行一条，# 开头为注释；- 表示读标准输入），
                    某一步通过后进入下一步

选项：
  -b, --backend auto|host|uml   命令在哪里运行（默认 auto）
      --from ID, --to ID        从哪一课（或哪一步）开始、到哪一课（或哪一步）结束
      --pace human              --auto：以便于阅读的速度输入命令（课堂投影）
      --echo                    --commands：运行前先显示每条命令
      --join URL --name 名字    向课堂报告进度（--private：只共享进度）
      --lang en|zh、--lessons 目录

示例：
  ipip-tutor play --auto --backend host --to underlay-ping
`,
  help_classroom: `用法：ipip-tutor classroom [--host 地址] [--port 端口] [--state 目录] [--title 标题] [--lab [--lab-max N] [--lab-idle 分钟]]

在本机为局域网内的工作坊启动课堂服务器。它会输出
  dashboard: URL   讲师的实时控制台（含讲师密钥）
  join: URL        学员在 \`ipip-tutor --join URL\` 中使用的地址（含课堂码）
并把加入 URL 显示成二维码。每位学员的教程会报告进度、检查结果，以及（除非用了 --private）
屏幕和网络拓扑图；控制台可以设置进度闸门、发送广播、管理举手求助队列，并导出结果（CSV、JSON）。
  --host 地址    监听的网络接口（默认：本机的局域网地址）
  --port 端口    端口（默认 8370；0 表示自动选择空闲端口）
  --state 目录   课堂数据（SQLite）保存的位置；重启时用同一目录即可继续这节课
  --title 标题   控制台和加入页面上显示的工作坊名称
  --lab          浏览器实验：加入页面同时提供“在浏览器里学”；每名学员在本机获得一个教程和一个
                 沙箱（用 --backend 选择）
  --lab-max N    最多同时 N 个沙箱（默认：按本机内存和 CPU 核数能承载的数量）
  --lab-idle 分钟  学员空闲超过这么多分钟后释放其沙箱（默认 30；提前 2 分钟提醒）

需要在 ipip-tutor 旁边安装 better-sqlite3 12（学员的教程不需要）。
`,
  help_lessons: `用法：ipip-tutor lessons [--json]

列出各课及其步骤，以及 --from、--to 和 reset --lesson 使用的 id。
  --json   以 JSON 输出（id、标题、步骤的类型和要求）
`,
  help_lint: `用法：ipip-tutor lint [目录] [--run] [--json]

检查课程目录（默认：内置课程）：结构是否符合 schema，每种语言的文本是否齐全，提示和常见错误
是否对应真实存在的检查。
  --run               还会在沙箱中运行每个参考答案和每个常见错误
  -b, --backend ...   --run 使用的沙箱
  --json              以 JSON 输出问题
`,
  help_doctor: `用法：ipip-tutor doctor [--fix] [--json]

检查本机运行课程所需的条件（工具、用户命名空间、ipip、User-Mode Linux），
并说明每一项结果意味着什么、如何解决。
  --fix    安装所缺的软件并加载 ipip（需以 root 身份运行，例如用 sudo）
  --json   以 JSON 输出报告
`,
  help_progress: `用法：ipip-tutor progress [--json]

输出你的学习进度：每课已完成和已跳过的步骤、用过的提示、当前位置。
  --json   以 JSON 输出，包含用户名和主机名（便于讲师汇总）
`,
  help_reset: `用法：ipip-tutor reset [--lesson ID]

清除学习进度：全部清除，或只清除某一课（id 见 ipip-tutor lessons）。
`,
  help_help: `用法：ipip-tutor help [命令]

查看某个命令的说明：start、play、lessons、lint、doctor、progress、reset。
`,
  err_usage: 'ipip-tutor：{message}',
  err_see_help: '运行 `ipip-tutor --help` 查看用法。',
  err_see_command_help: '运行 `ipip-tutor help {command}` 查看它的选项。',
  err_did_you_mean: '{message}（是不是想输入 {suggestion}？）',
  err_unknown_command: '未知命令“{name}”',
  err_unknown_option: '未知选项 {option}',
  err_option_needs_value: '选项 {option} 需要一个值',
  err_option_takes_no_value: '选项 {option} 不接受值',
  err_option_not_for: '选项 {option} 不适用于“{command}”',
  err_bad_value: '{option} 只能是 {allowed}，不能是“{value}”',
  err_play_mode: 'play 必须指定 --auto 或 --commands 文件，且只能指定其中一个',
  err_bad_port: '--port 必须是 0 到 65535 之间的数字，不能是“{value}”',
  err_bad_count: '{flag} 必须是 1 到 {max} 之间的整数，不能是“{value}”',
  err_lab_flags_need_lab: '--lab-max 和 --lab-idle 需要与 --lab 一起使用',
  err_bad_join: '--join 需要讲师给出的加入 URL（形如 `http://HOST:PORT/join/CODE`），不能是“{value}”',
  err_private_needs_join: '--private 只有和 --join URL 一起使用才有意义',
  err_bad_name: '--name 必须是 1 到 40 个字符',
  classroom_banner: '课堂“{title}”已开放。学员用下面的命令加入：',
  classroom_dashboard_note: '请在浏览器中打开控制台 URL（其中含有讲师密钥，不要投影出来）。按 Ctrl-C 关闭课堂；课堂状态保存在 {dir}。',
  classroom_needs_sqlite:
    '课堂把状态保存在 SQLite 中，需要和 ipip-tutor 装在一起的 better-sqlite3 12：请运行 `npm install -g ipip-tutor better-sqlite3@12`，或 `npx -p ipip-tutor -p better-sqlite3@12 ipip-tutor classroom`。（{message}）',
  classroom_closed: '课堂已关闭；状态保存在 {dir}（再次启动即可继续）',
  classroom_name_missing: '加入课堂需要一个名字：请加上 --name 名字',
  err_unexpected_argument: '多余的参数“{value}”',
  err_no_lesson: '没有名为“{lesson}”的课（现有的课：{ids}）',
  err_no_step: '没有名为“{ref}”的课或步骤（现有的课：{ids}）',
  err_to_before_from: '--to {to} 在 --from {from} 之前',
  err_commands_file: '无法读取命令文件“{file}”：{message}',
  err_lesson_file: '课程文件有误：{message}',
  err_sandbox: '沙箱出错：{message}',
  err_sandbox_fix: '怎么办：{fix}',
  err_sandbox_log: '最后几行日志：',
  err_internal: 'ipip-tutor：内部错误：{message}',
  err_internal_hint: '这是程序的 bug；设置 IPIP_TUTOR_DEBUG=1 可查看详情。',
  lessons_quiz: '（测验）',
  lessons_reading: '（阅读）',
  reset_lesson: '已清除 {lesson} 这一课的进度',
  reset_all: '已清除全部进度',
  progress_summary: '{who}：{finished}/{total} 步（{percent}%）',
  progress_current: '当前位置：{step}',
  progress_skipped: '（跳过 {n} 步）',
  progress_hints: '，用了 {n} 条提示',
  lint_playing: '正在 {backend} 后端上运行参考答案和常见错误……',
  lint_fine: 'lint：{dir} 没有问题',
  lint_fine_warnings: 'lint：{dir} 没有问题（{n} 条警告）',
  lint_problems: 'lint：{dir} 有问题',
};

export const cliCatalog: Catalog<CliMessageKey> = { en, zh };
export const tcli = translator(cliCatalog);

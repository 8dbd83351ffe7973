import { translator, type Catalog } from './translate.js';

// The browser lab's words: its page (bundled with this catalog), the "class is full" page and the
// lab's lines on the classroom command line, in both languages.
const en = {
  page_title: '{title}: lab',
  intro: "Learn in this browser: your own Linux sandbox runs on the instructor's machine, and this page is its terminal.",
  name_label: 'Your name',
  lang_label: 'Language',
  start: 'Start the lab',
  resuming: 'Resuming your session…',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost: reconnecting… (your sandbox keeps running)',
  where: 'Lesson {lesson} · step {step}',
  idle_warning: 'You have not typed for a while: your sandbox will be freed in {min} min unless you press a key (your progress is kept).',
  ended_exit: 'You left the tutor. Your progress is kept.',
  ended_reaped: 'Your sandbox was freed after a long idle time. Your progress is kept.',
  ended_replaced: 'This session is open in another tab or window.',
  ended_server: 'The class has ended.',
  ended_failed: 'The tutor stopped with an error.',
  restart: 'Start again',
  full_title: 'The class is full',
  full_text:
    'All {max} lab places on this machine are taken. Please wait for a place to free up, or run the tutor on a Linux machine: npx ipip-tutor --join {join}',
  full_retry: 'Try again',
  no_class: 'No such class: check the join URL the instructor showed.',
  lab_ready:
    'lab: browser lab on, at most {max} attendees at once ({why}); idle sandboxes freed after {idle} min; per-attendee bounds: {bounds}',
};

const zh: typeof en = {
  page_title: '{title}：实验',
  intro: '在浏览器里学：你自己的 Linux 沙箱运行在讲师的机器上，这个页面就是它的终端。',
  name_label: '你的名字',
  lang_label: '语言',
  start: '开始实验',
  resuming: '正在恢复你的会话…',
  connecting: '正在连接…',
  reconnecting: '连接已断开：正在重连…（你的沙箱仍在运行）',
  where: '第 {lesson} 课 · 第 {step} 步',
  idle_warning: '你已经有一段时间没有输入了：除非按下任意键，你的沙箱将在 {min} 分钟后被释放（进度会保留）。',
  ended_exit: '你已退出教程。进度已保留。',
  ended_reaped: '长时间没有操作，你的沙箱已被释放。进度已保留。',
  ended_replaced: '这个会话已在另一个标签页或窗口中打开。',
  ended_server: '课堂已结束。',
  ended_failed: '教程因错误而停止。',
  restart: '重新开始',
  full_title: '课堂已满',
  full_text: '这台机器上的 {max} 个实验名额都已被占用。请等待空出名额，或者在 Linux 机器上运行教程：npx ipip-tutor --join {join}',
  full_retry: '重试',
  no_class: '没有这个课堂：请核对讲师展示的加入 URL。',
  lab_ready: 'lab：浏览器实验已开启，最多同时 {max} 名学员（{why}）；空闲的沙箱 {idle} 分钟后释放；每名学员的限制：{bounds}',
};

export type LabMessageKey = keyof typeof en;
export const labCatalog: Catalog<LabMessageKey> = { en, zh };
export const tl = translator(labCatalog);

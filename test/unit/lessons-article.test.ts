import { describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/load.js';
import { flatSteps } from '../../src/course/progress.js';

// The course follows liruilonger's article (lessons/README.md): its commands and addresses stay
// exactly as the article has them, in its order, so a learner can read the two side by side.
// These are the article's own lines (as typed after its prompt), whitespace aside.
const ARTICLE_SETUP = [
  'sudo ip netns add ns1',
  'sudo ip netns add ns2',
  'sudo ip link add v1 netns ns1  type veth peer name v1-P',
  'sudo ip link add v2 netns ns2  type veth peer name v2-P',
  'sudo ip addr add 10.10.10.1/24 dev v1-P',
  'sudo ip link set v1-P up',
  'sudo ip addr add 10.10.20.1/24 dev v2-P',
  'sudo ip link set v2-P up',
  'sudo ip netns exec ns1 ip addr add 10.10.10.2/24 dev v1',
  'sudo ip netns exec ns2 ip addr add 10.10.20.2/24 dev v2',
  'sudo ip netns exec ns1 ip link set v1 up',
  'sudo ip netns exec ns2 ip link set v2 up',
  'sudo ip netns exec ns1 route add -net 10.10.20.0 netmask 255.255.255.0 gw 10.10.10.1',
  'sudo ip netns exec ns2 route add -net 10.10.10.0 netmask 255.255.255.0 gw 10.10.20.1',
  'sudo ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.20.2 local 10.10.10.2',
  'sudo ip netns exec ns1 ip link set tunl up',
  'sudo ip netns exec ns1 ip addr add 10.10.100.10 peer 10.10.200.10 dev tunl',
  'sudo ip  netns exec ns2 ip tunnel add tunr mode ipip remote 10.10.10.2 local 10.10.20.2',
  'sudo ip netns exec ns2 ip link set tunr up',
  'sudo ip netns exec ns2 ip addr add 10.10.200.10 peer 10.10.100.10 dev tunr',
];
/** Moved by the course, for a reason its text states: the namespace half runs without ipip. */
const ARTICLE_MOVED = ['sudo modprobe ipip'];
/** Commands that only look; the lessons show them too. */
const ARTICLE_LOOKS = [
  'ip tunnel help',
  'lsmod | grep ipip',
  'ip link',
  'cat /proc/sys/net/ipv4/ip_forward',
  'sudo ip netns exec ns1 route -n',
  'sudo ip netns exec ns2 route -n',
  'sudo ip netns exec ns1 ping -c 3 10.10.20.2',
  'sudo ip netns exec ns2 ping -c 3 10.10.10.2',
  'sudo ip netns exec ns1 ping 10.10.200.10 -c 3',
  'sudo ip netns exec ns2 ping 10.10.100.10 -c 3',
  'sudo ip netns exec ns1 ip link',
  'sudo ip netns exec ns2 ip link',
];

const squash = (s: string) => s.trim().replace(/\s+/g, ' ');
const course = loadCourse('lessons');
const steps = flatSteps(course).map((s) => course.lessons[s.pos.lesson]!.def.steps[s.pos.step]!);
const solutions = steps.flatMap((s) => s.solution.map(squash));

/** Every line of every code block and code span a learner reads, in one language. */
function shown(lang: 'en' | 'zh'): Set<string> {
  const out = new Set<string>();
  for (const l of course.lessons)
    for (const st of Object.values(l.texts[lang]?.steps ?? {})) {
      for (const block of st.body.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)) for (const line of block[1]!.split('\n')) out.add(squash(line));
      for (const span of st.body.matchAll(/`([^`\n]+)`/g)) out.add(squash(span[1]!));
    }
  return out;
}

describe("the article's commands", () => {
  it('every command that builds the setup is a step solution, verbatim', () => {
    expect([...ARTICLE_SETUP, ...ARTICLE_MOVED].map(squash).filter((c) => !solutions.includes(c))).toEqual([]);
  });

  it("they come in the article's order", () => {
    const firstUse = ARTICLE_SETUP.map((c) => solutions.indexOf(squash(c)));
    expect(firstUse).toEqual([...firstUse].sort((a, b) => a - b));
  });

  it('the learner sees each of them, as typed, in both languages', () => {
    for (const lang of ['en', 'zh'] as const) {
      const seen = shown(lang);
      expect(
        [...ARTICLE_SETUP, ...ARTICLE_MOVED, ...ARTICLE_LOOKS].map(squash).filter((c) => !seen.has(c)),
        lang,
      ).toEqual([]);
    }
  });
});

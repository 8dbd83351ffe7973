// A problem in a lesson file, named precisely: file, step and field, then the reason.
export class CourseError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly step?: string,
    readonly field?: string,
  ) {
    super([file, step && `step "${step}"`, field && `field ${field}`].filter(Boolean).join(', ') + `: ${reason}`);
    this.name = 'CourseError';
  }
}

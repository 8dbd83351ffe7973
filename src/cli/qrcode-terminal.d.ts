// qrcode-terminal ships no types; the one call `classroom` makes.
declare module 'qrcode-terminal' {
  const qr: { generate(text: string, opts: { small?: boolean }, cb: (drawing: string) => void): void };
  export default qr;
}

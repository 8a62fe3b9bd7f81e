// danfojs-node, imported once and lazily (about 2.5 s). danfo loads its own copy of tfjs, which registers
// again every kernel the project's tfjs registered and warns once per kernel — hundreds of lines such as
// "The kernel 'Abs' for backend 'cpu' is already registered" that would flood a notebook cell. Only those
// duplicate-registration warnings are dropped, and only while danfo loads; any other warning passes through.

type Danfo = typeof import("danfojs-node");

const DUPLICATE_REGISTRATION = /is already registered|was already registered|has already been set/;

let loading: Promise<Danfo> | undefined;

export function importDanfo(): Promise<Danfo> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!(typeof args[0] === "string" && DUPLICATE_REGISTRATION.test(args[0]))) warn(...args);
    };
    try {
      return await import("danfojs-node");
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

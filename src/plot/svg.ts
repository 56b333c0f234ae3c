import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Draws a vega-lite specification as SVG, headlessly (vega's own SVG string renderer; no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}

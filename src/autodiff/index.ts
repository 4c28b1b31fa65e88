export { type CheckGradOptions, checkGrad, hessian, jacfwd, jacobian, jacrev } from "./derived.js";
export { jvp } from "./jvp.js";
export { type MapTree, mapTree, type Tree } from "./tree.js";
export { customGrad, grad, valueAndGrad, vjp } from "./vjp.js";
export { type AxisSpec, vmap } from "./vmap.js";

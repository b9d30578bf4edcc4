// The SPZ viewer: three.js + Spark (World Labs' Gaussian splat renderer),
// bundled into its own file and loaded only when a splat is opened.

import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { SparkRenderer, SplatMesh, SplatFileType } from "@sparkjsdev/spark";

/**
 * Renders the SPZ at `url` into `container`. Resolves once the splats are
 * loaded and a first frame is drawn; `container.dataset.state` says where it is.
 * Returns `{ dispose, count }`.
 */
export async function showSplat(container, url) {
  container.dataset.state = "loading";
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the splat could not be loaded (${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());

  const width = Math.max(container.clientWidth, 320);
  const height = Math.max(container.clientHeight, 240);
  // preserveDrawingBuffer: screenshots and the download button read the canvas.
  const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  const canvas = renderer.domElement;
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "3D reconstruction; drag or use the arrow keys to orbit, scroll to zoom");
  container.appendChild(canvas);

  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x0c1014);
  const camera = new THREE.PerspectiveCamera(50, width / height, 0.01, 1000);
  const spark = new SparkRenderer({ renderer });
  scene.add(spark);
  const mesh = new SplatMesh({ fileBytes: bytes, fileType: SplatFileType.SPZ });
  scene.add(mesh);
  await mesh.initialized;

  // Start where the photo was taken (the origin, looking down -z as SPZ does),
  // aimed at the splats' centre.
  const box = mesh.getBoundingBox(true);
  const center = box.getCenter(new THREE.Vector3());
  camera.position.set(0, 0, 0);
  if (center.lengthSq() < 1e-6) camera.position.set(0, 0, box.getSize(new THREE.Vector3()).length() || 1);
  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(center);
  controls.listenToKeyEvents(canvas);
  controls.update();

  // Draw on demand: SwiftShader and laptops alike should not spin for nothing.
  let activeUntil = performance.now() + 3000;
  let frames = 0;
  const loop = () => {
    if (performance.now() > activeUntil) { renderer.setAnimationLoop(null); return; }
    controls.update();
    renderer.render(scene, camera);
    frames++;
    if (frames === 30) container.dataset.state = "rendered";
  };
  const wake = () => {
    activeUntil = performance.now() + 1500;
    renderer.setAnimationLoop(loop);
  };
  controls.addEventListener("change", wake);
  renderer.setAnimationLoop(loop);
  await new Promise((resolve) => {
    const check = () => (frames >= 30 || performance.now() > activeUntil ? resolve() : requestAnimationFrame(check));
    check();
  });
  container.dataset.state = "rendered";
  return {
    count: mesh.packedSplats?.numSplats ?? 0,
    dispose() {
      renderer.setAnimationLoop(null);
      controls.dispose();
      mesh.dispose?.();
      renderer.dispose();
      canvas.remove();
    },
  };
}

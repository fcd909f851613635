// A signature pad: a canvas drawn on with a finger, stylus or mouse (pointer events).
// After each stroke it emits "signed" with the stroke count and a PNG data URL scaled to
// `exportWidth`, so the server already holds the drawing when "Save" is tapped.
export default {
  template: `
    <canvas ref="canvas" class="ccrm-signature-canvas" role="img" aria-label="Signature pad"
      :style="{ touchAction: 'none', width: '100%', height: height + 'px', display: 'block',
                background: '#fff', border: '2px dashed #9e9e9e', borderRadius: '8px', cursor: 'crosshair' }">
    </canvas>`,
  props: {
    height: { type: Number, default: 200 },
    exportWidth: { type: Number, default: 600 },
    initial: { type: String, default: null },
  },
  data() {
    return { drawing: false, strokes: 0, last: null };
  },
  mounted() {
    this.fit();
    if (this.initial) this.restore(this.initial);
    this.onResize = () => this.strokes === 0 && this.fit();
    window.addEventListener("resize", this.onResize);
    const canvas = this.$refs.canvas;
    canvas.addEventListener("pointerdown", this.down);
    canvas.addEventListener("pointermove", this.move);
    for (const name of ["pointerup", "pointercancel"]) canvas.addEventListener(name, this.up);
  },
  unmounted() {
    window.removeEventListener("resize", this.onResize);
  },
  methods: {
    context() {
      return this.$refs.canvas.getContext("2d");
    },
    fit() {
      const canvas = this.$refs.canvas;
      const ratio = window.devicePixelRatio || 1;
      const box = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(box.width * ratio));
      canvas.height = Math.max(1, Math.round(box.height * ratio));
      const ctx = this.context();
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      Object.assign(ctx, { lineWidth: 3, lineCap: "round", lineJoin: "round", strokeStyle: "#111", fillStyle: "#111" });
    },
    point(event) {
      const box = this.$refs.canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    },
    down(event) {
      event.preventDefault();
      this.$refs.canvas.setPointerCapture(event.pointerId);
      this.drawing = true;
      this.last = this.point(event);
      const ctx = this.context();
      ctx.beginPath();
      ctx.arc(this.last.x, this.last.y, 1.5, 0, 2 * Math.PI);
      ctx.fill();
    },
    move(event) {
      if (!this.drawing) return;
      event.preventDefault();
      const next = this.point(event);
      const ctx = this.context();
      ctx.beginPath();
      ctx.moveTo(this.last.x, this.last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      this.last = next;
    },
    up() {
      if (!this.drawing) return;
      this.drawing = false;
      this.strokes += 1;
      this.$emit("signed", { strokes: this.strokes, dataUrl: this.toDataURL() });
    },
    restore(dataUrl) {
      // redraw an unsaved signature after the page was redrawn (e.g. a live update)
      const image = new Image();
      image.onload = () => {
        const box = this.$refs.canvas.getBoundingClientRect();
        this.context().drawImage(image, 0, 0, box.width, (image.height * box.width) / image.width);
        this.strokes = Math.max(this.strokes, 1);
      };
      image.src = dataUrl;
    },
    clear() {
      const canvas = this.$refs.canvas;
      this.context().clearRect(0, 0, canvas.width, canvas.height);
      this.strokes = 0;
      this.$emit("signed", { strokes: 0, dataUrl: null });
    },
    toDataURL() {
      const canvas = this.$refs.canvas;
      const out = document.createElement("canvas");
      out.width = Math.min(this.exportWidth, canvas.width);
      out.height = Math.round((canvas.height * out.width) / canvas.width);
      out.getContext("2d").drawImage(canvas, 0, 0, out.width, out.height);
      return out.toDataURL("image/png");
    },
  },
};

// The shared view of python/sparkconnect/notebook/panel/panel.js (plain JavaScript, bundled
// as it is): render() draws into `el` and returns what undoes it.

declare module '*/panel.js' {
  const view: {
    render(props: {
      model: {
        get(name: string): any;
        on(event: string, listener: () => void): void;
        off(event: string, listener: () => void): void;
        send(message: { type: string; [key: string]: any }): void;
      };
      el: HTMLElement;
    }): () => void;
  };
  export default view;
}

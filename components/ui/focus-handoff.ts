'use client';

import { useState } from 'react';

/**
 * Hands keyboard focus to a named element once it is on screen. For panels that replace the
 * control that had focus (a trigger that opens a form, a form that becomes a status line, a
 * Close that brings the trigger back): without it, focus falls to <body> and a keyboard or
 * screen-reader user starts over at the top of the page.
 *
 * `focusNext(name)` in the event handler (or mutation callback) that causes the change;
 * `target(name)` as the element's ref. An element already on screen is focused at once; one
 * that mounts later is focused by its ref as it mounts. Each request moves focus at most once,
 * so a later remount never steals focus. A disabled control cannot take focus: attach its ref
 * only while it is enabled, so that enabling it counts as mounting it.
 */
export interface FocusHandoff<Name extends string> {
  focusNext(name: Name): void;
  target(name: Name): (node: HTMLElement | null) => void;
}

export function createFocusHandoff<Name extends string>(): FocusHandoff<Name> {
  let pending: Name | null = null;
  const nodes = new Map<Name, HTMLElement>();
  // One ref callback per name, so React does not detach and re-attach it on every render.
  const refs = new Map<Name, (node: HTMLElement | null) => void>();
  return {
    focusNext(name) {
      const node = nodes.get(name);
      if (node) {
        pending = null;
        node.focus();
      } else {
        pending = name;
      }
    },
    target(name) {
      let ref = refs.get(name);
      if (!ref) {
        ref = (node) => {
          if (!node) {
            nodes.delete(name);
            return;
          }
          nodes.set(name, node);
          if (pending === name) {
            pending = null;
            node.focus();
          }
        };
        refs.set(name, ref);
      }
      return ref;
    },
  };
}

/** A focus handoff that lives as long as the component. */
export function useFocusHandoff<Name extends string>(): FocusHandoff<Name> {
  const [handoff] = useState(() => createFocusHandoff<Name>());
  return handoff;
}

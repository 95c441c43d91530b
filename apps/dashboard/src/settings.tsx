// What a person sets once and the dashboard remembers on this browser: language, colour
// convention and time zone. Korean conventions are the default (red up, Asia/Seoul).
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { i18n } from './i18n';

export type Language = 'en' | 'ko';
/** `red-up`: Korean (rises red, falls blue); `green-up`: rises green, falls red. */
export type ColourConvention = 'red-up' | 'green-up';

export interface Settings {
  language: Language;
  colours: ColourConvention;
  timeZone: string;
}

const KEY = 'tradedesk.settings';
const DEFAULTS: Settings = { language: 'en', colours: 'red-up', timeZone: 'Asia/Seoul' };

function load(): Settings {
  try {
    return { ...DEFAULTS, ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>) };
  } catch {
    return DEFAULTS;
  }
}

interface SettingsContext {
  settings: Settings;
  update: (change: Partial<Settings>) => void;
}

const Context = createContext<SettingsContext | null>(null);

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState(load);
  // The language is applied after the render that chose it: changing it re-renders every text.
  useEffect(() => {
    void i18n.changeLanguage(settings.language);
    document.documentElement.lang = settings.language;
  }, [settings.language]);
  const value = useMemo<SettingsContext>(
    () => ({
      settings,
      update: (change) =>
        setSettings((current) => {
          const next = { ...current, ...change };
          localStorage.setItem(KEY, JSON.stringify(next));
          return next;
        }),
    }),
    [settings],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSettings(): SettingsContext {
  const context = useContext(Context);
  if (!context) throw new Error('useSettings outside SettingsProvider');
  return context;
}

/** Text colours with at least 4.5:1 contrast on white, for rises and falls in the chosen convention. */
export function trendColours(convention: ColourConvention): { up: string; down: string } {
  return convention === 'red-up' ? { up: '#c92a2a', down: '#1864ab' } : { up: '#237032', down: '#c92a2a' };
}

// Moved to the adapter kit (@portal-engine/adapter-kit); re-exported for this library's modules.
export { clickAndNavigate, currentPath, setField } from '@portal-engine/adapter-kit';

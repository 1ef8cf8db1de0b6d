/** Error codes of file serving (chrome media, raw attachments); listed in docs/files.md. */
import { defineError } from '../errors';

export const FileErrors = {
  NOT_FOUND: defineError('GH_ERR_FILES_NOT_FOUND', 404, 'no file at {path}'),
  BAD_PATH: defineError('GH_ERR_FILES_BAD_PATH', 400,
    'the request path is refused: {reason}'),
} as const;

/** Error codes of attachments; listed in docs/files.md. */
import { defineError } from '../errors';

export const AttachmentErrors = {
  NOT_FOUND: defineError('GH_ERR_ATTACHMENT_NOT_FOUND', 404,
    'no attachment {filename} on {resource}'),
  BAD_RESOURCE: defineError('GH_ERR_ATTACHMENT_BAD_RESOURCE', 400,
    '"{resource}" is not a resource: write it as realm:id (wiki:WikiStart, ticket:12)'),
  TOO_LARGE: defineError('GH_ERR_ATTACHMENT_TOO_LARGE', 413,
    'the file is larger than the {limit} bytes allowed for attachments ([attachment] max_size)'),
  NO_FILE: defineError('GH_ERR_ATTACHMENT_NO_FILE', 400,
    'no file was uploaded: send it as the "attachment" field of a multipart/form-data form'),
  BAD_UPLOAD: defineError('GH_ERR_ATTACHMENT_BAD_UPLOAD', 400, 'the upload is malformed: {reason}'),
  BAD_NAME: defineError('GH_ERR_ATTACHMENT_BAD_NAME', 400,
    'the file name "{filename}" is empty once path parts and control characters are removed'),
  NAME_EXHAUSTED: defineError('GH_ERR_ATTACHMENT_NAME_EXHAUSTED', 409,
    'could not find a free name for {filename} on {resource}'),
  EXPORT_EXISTS: defineError('GH_ERR_ATTACHMENT_EXPORT_EXISTS', 409,
    '{path} already exists; choose another destination'),
} as const;

// The platform's message error codes (MDR `error_code`, callback `ErrorCode`),
// with the reason shown as `error_message`.
export const DELIVERED_CODE = '000';

export const MESSAGE_ERRORS: Readonly<Record<string, string>> = {
  '10': 'Invalid Message',
  '20': 'Network Error',
  '30': 'Spam Detected',
  '40': 'Invalid Source Number',
  '50': 'Invalid Destination Number',
  '60': 'Loop Detected',
  '70': 'Destination Permanently Unavailable',
  '80': 'Destination Temporarily Unavailable',
  '90': 'No Route Available',
  '100': 'Prohibited by Carrier',
  '110': 'Message Too Long',
  '200': 'Source Number Blocked by STOP from Destination Number',
  '300': 'Failed To Dispatch Message',
  '420': 'Message Expired',
  '900': 'Insufficient Credit',
  '1000': 'Unknown Error',
};

export const errorMessage = (code: string | null): string => (code && code !== DELIVERED_CODE ? (MESSAGE_ERRORS[code] ?? '') : '');

import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getAlarmDetail } from '@/server/ops/read/alarms';
import { alarmDetailInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: alarmDetailInput }, ({ ops, caller, input, params }) =>
  getAlarmDetail(ops, caller, { name: params.name ?? '', aroundMinutes: input.aroundMinutes }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });

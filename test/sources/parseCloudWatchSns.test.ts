import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseCloudWatchSns, type CloudWatchSnsResult } from '../../src/sources/parseCloudWatchSns.js';
import type { Signal } from '../../src/model/signal.js';
import { expectValidSignals, fixtureText, loadFixture } from '../fixtures/ingest/loadFixture.js';

function signalsOf(result: CloudWatchSnsResult): Signal[] {
  if (result.kind !== 'signals') throw new Error(`expected signals, got ${result.kind}`);
  return result.signals;
}

/** The HTTP notification fixture with its alarm JSON edited by `edit`. */
function withAlarm(edit: (alarm: Record<string, unknown>) => void): Record<string, unknown> {
  const body = loadFixture('cloudwatch-alarm-sns-http.json');
  const alarm = JSON.parse(body.Message as string) as Record<string, unknown>;
  edit(alarm);
  return { ...body, Message: JSON.stringify(alarm) };
}

describe('parseCloudWatchSns on an SNS HTTP notification of a CloudWatch alarm', () => {
  const signals = signalsOf(parseCloudWatchSns(fixtureText('cloudwatch-alarm-sns-http.json')));

  it('returns one valid firing signal for ALARM', () => {
    expect(signals).toHaveLength(1);
    expectValidSignals(signals);
    expect(signals[0]).toMatchObject({ source: 'cloudwatch', status: 'firing', summary: 'My First Message', severity: 'SEV3' });
  });

  it('reads StateChangeTime with its +0000 offset', () => {
    expect(signals[0]?.startsAt).toBe('2015-06-03T17:43:27.123Z');
    expect(signals[0]?.endsAt).toBeUndefined();
  });

  it('keeps the alarm, the metric and its dimensions as labels, and the reason as annotation', () => {
    expect(signals[0]?.labels).toEqual({
      alarm_name: 'EXAMPLE',
      aws_account_id: '123456789012',
      region: 'EXAMPLE',
      namespace: 'AWS/EC2',
      metric_name: 'NetworkOut',
      dimension_InstanceId: 'TestInstance',
    });
    expect(signals[0]?.annotations).toMatchObject({
      description: 'EXAMPLE',
      reason: expect.stringContaining('Threshold Crossed') as string,
      state: 'ALARM',
      previous_state: 'INSUFFICIENT_DATA',
    });
  });

  it('keeps the alarm JSON as raw', () => {
    expect(signals[0]?.raw).toMatchObject({ AlarmName: 'EXAMPLE', NewStateValue: 'ALARM' });
  });

  it('resolves on OK with the same fingerprint and endsAt', () => {
    const [ok] = signalsOf(parseCloudWatchSns(withAlarm((alarm) => (alarm.NewStateValue = 'OK'))));
    expect(ok).toMatchObject({ status: 'resolved', fingerprint: signals[0]?.fingerprint, endsAt: '2015-06-03T17:43:27.123Z' });
  });

  it('ignores INSUFFICIENT_DATA unless told otherwise', () => {
    const body = withAlarm((alarm) => (alarm.NewStateValue = 'INSUFFICIENT_DATA'));
    expect(parseCloudWatchSns(body)).toEqual({ kind: 'signals', signals: [] });
    expect(signalsOf(parseCloudWatchSns(body, { insufficientData: 'firing' }))[0]?.status).toBe('firing');
  });

  it('links the alarm in the console when the ARN names a region, and maps the state through overrides', () => {
    const body = withAlarm((alarm) => {
      alarm.AlarmName = 'High CPU';
      alarm.AlarmArn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:High CPU';
    });
    const [signal] = signalsOf(parseCloudWatchSns(body, { severityMap: { alarm: 'SEV2' } }));
    expect(signal?.links).toEqual([{ href: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/High%20CPU', text: 'CloudWatch alarm' }]);
    expect(signal?.labels.region).toBe('eu-west-1');
    expect(signal?.severity).toBe('SEV2');
  });

  it('tells alarms apart by ARN', () => {
    const other = withAlarm((alarm) => (alarm.AlarmArn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:other'));
    expect(signalsOf(parseCloudWatchSns(other))[0]?.fingerprint).not.toBe(signals[0]?.fingerprint);
  });
});

describe('parseCloudWatchSns on Lambda SNS events from aws-lambda-go', () => {
  it('reads a single-metric alarm', () => {
    const signals = signalsOf(parseCloudWatchSns(loadFixture('cloudwatch-alarm-lambda-single-metric.json')));
    expectValidSignals(signals);
    expect(signals[0]).toMatchObject({ status: 'firing', summary: 'TestInvoke', startsAt: '2015-06-03T17:43:27.123Z' });
  });

  it('reads the metric of a metric math alarm', () => {
    const signals = signalsOf(parseCloudWatchSns(loadFixture('cloudwatch-alarm-lambda-multiple-metrics.json')));
    expectValidSignals(signals);
    expect(signals[0]?.labels).toMatchObject({ namespace: 'AWS/EC2', metric_name: 'NetworkOut', dimension_InstanceId: 'TestInstance' });
  });
});

describe('parseCloudWatchSns subscription confirmations', () => {
  it('reports the confirmation with its URL and token instead of signals', () => {
    const body = loadFixture('sns-subscription-confirmation.json');
    expect(parseCloudWatchSns(body)).toEqual({
      kind: 'subscriptionConfirmation',
      subscribeUrl: body.SubscribeURL,
      token: body.Token,
      topicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
      messageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      message: body.Message,
      timestamp: '2012-04-26T20:45:04.751Z',
    });
  });

  it('reports an unsubscribe confirmation as such', () => {
    const body = { ...loadFixture('sns-subscription-confirmation.json'), Type: 'UnsubscribeConfirmation' };
    expect(parseCloudWatchSns(body).kind).toBe('unsubscribeConfirmation');
  });

  it.each(['https://169.254.169.254/latest/meta-data/', 'http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription', 'https://sns.us-west-2.amazonaws.com.evil.example/'])(
    'refuses a SubscribeURL outside SNS: %s',
    (url) => {
      const body = { ...loadFixture('sns-subscription-confirmation.json'), SubscribeURL: url };
      expect(() => parseCloudWatchSns(body)).toThrow(/SubscribeURL: Expected an https URL on sns/);
    },
  );
});

describe('parseCloudWatchSns refusals', () => {
  it('refuses a notification whose Message is not an alarm', () => {
    const hello = { ...loadFixture('cloudwatch-alarm-sns-http.json'), Message: 'Hello world!' };
    expect(() => parseCloudWatchSns(hello)).toThrow(/Message: Expected the JSON of a CloudWatch alarm/);
    expect(() => parseCloudWatchSns(withAlarm((alarm) => delete alarm.AlarmName))).toThrow(/Message\.AlarmName/);
  });

  it('refuses an unknown message type', () => {
    expect(() => parseCloudWatchSns({ ...loadFixture('cloudwatch-alarm-sns-http.json'), Type: 'Other' })).toThrow(ValidationError);
  });
});

import { peerAddress } from './index';

// The audit trail's source address of a gRPC call: grpc-js getPeer() without the port.
describe('peerAddress', () => {
  it.each([
    ['127.0.0.1:32924', '127.0.0.1'],
    ['ipv4:10.1.2.3:50051', '10.1.2.3'],
    ['[::1]:5000', '::1'],
    ['ipv6:[::ffff:127.0.0.1]:9', '::ffff:127.0.0.1'],
    ['unix:/run/grpc.sock', 'unix:/run/grpc.sock'],
  ])('%s → %s', (peer, address) => expect(peerAddress(peer)).toBe(address));
});

/** Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into JSON objects. */
export { decodeKubernetesProtobuf, isKubernetesProtobuf, KUBERNETES_PROTOBUF_MAGIC, PROTOBUF_MEDIA_TYPE } from './decode.js';
